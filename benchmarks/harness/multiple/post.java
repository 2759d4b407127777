
// scalebox: the entry point. It reads the run's completion marker from
// stdin before any of the program's code runs (closing System.in puts
// /dev/null on fd 0), runs the tests (Problem.main), and prints the marker
// only after they returned: System.exit(0) before the end leaves none.
final class ScaleboxMain {
    public static void main(String[] args) throws Throwable {
        byte[] in = System.in.readAllBytes();
        System.in.close();
        System.setIn(new java.io.ByteArrayInputStream(new byte[0]));
        String marker = new String(in, java.nio.charset.StandardCharsets.UTF_8).trim();
        Problem.main(args);
        System.out.flush();
        System.out.print("\n" + marker + "\n");
        System.out.flush();
    }
}
