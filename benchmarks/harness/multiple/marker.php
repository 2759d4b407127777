<?php
// scalebox: prepended (auto_prepend_file) before the program. It reads the
// run's completion marker from stdin (fd 0 is then /dev/null) into a
// private property; the code appended after the tests calls
// ScaleboxMarker::done(), which prints it. A program that exits before the
// end (exit(0)) prints no marker.
final class ScaleboxMarker
{
    private static $marker = null;
    private static $null = null;

    public static function read(): void
    {
        self::$marker = rtrim((string) fgets(STDIN), "\n");
        fclose(STDIN);
        self::$null = fopen('/dev/null', 'r');
    }

    public static function done(): void
    {
        if (self::$marker !== null) {
            echo "\n", self::$marker, "\n";
            self::$marker = null;
        }
    }
}
ScaleboxMarker::read();
