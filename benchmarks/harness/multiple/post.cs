
// scalebox: the entry point (mcs -main:ScaleboxMain). It reads the run's
// completion marker from stdin before any of the program's code runs (fd 0
// is then /dev/null), runs the tests (Problem.Main), and prints the marker
// only after they returned: Environment.Exit(0) before the end leaves none.
// Mono's failed Debug.Assert only writes a message and goes on; the
// listener added here ends the run with exit code 3 instead, and a program
// that removed it fails.
static class ScaleboxMain {
    [System.Runtime.InteropServices.DllImport("libc")]
    static extern int dup2(int oldfd, int newfd);

    static int Main(string[] args) {
        string marker = System.Console.In.ReadLine() ?? "";
        using (var devnull = System.IO.File.OpenRead("/dev/null")) {
            dup2((int)devnull.SafeFileHandle.DangerousGetHandle(), 0);
        }
        System.Console.SetIn(System.IO.TextReader.Null);
        var listener = new ScaleboxAssertListener();
        System.Diagnostics.Trace.Listeners.Add(listener);
        Problem.Main(args);
        if (!System.Diagnostics.Trace.Listeners.Contains(listener)) {
            System.Console.Error.WriteLine("scalebox: the program removed the listener of failed assertions");
            return 4;
        }
        System.Console.Out.Flush();
        System.Console.Out.Write("\n" + marker + "\n");
        System.Console.Out.Flush();
        return 0;
    }
}

sealed class ScaleboxAssertListener : System.Diagnostics.TraceListener {
    public override void Write(string message) {}
    public override void WriteLine(string message) {}
    public override void Fail(string message) { Fail(message, null); }
    public override void Fail(string message, string detailMessage) {
        System.Console.Out.Flush();
        System.Console.Error.WriteLine("scalebox: Debug.Assert failed");
        System.Console.Error.Flush();
        System.Environment.Exit(3);
    }
}
