// Command train trains judgegen's statement model on a labelled folder
// (the layout of ../shared/data/codejam-statements: LABELS.tsv and Kattis
// problem packages) and writes it as JSON, for go:embed. It is
// deterministic: the same folder gives the same file. Run it through
// `go generate ./judgegen`.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/scalebox-dev/scalebox/judgegen"
)

func main() {
	data := flag.String("data", "", "labelled folder")
	out := flag.String("o", "model.json", "output file")
	flag.Parse()
	if err := run(*data, *out); err != nil {
		fmt.Fprintln(os.Stderr, "train:", err)
		os.Exit(1)
	}
}

func run(data, out string) error {
	if data == "" {
		return fmt.Errorf("-data is required")
	}
	ps, warnings, err := judgegen.LoadLabelled(data)
	for _, w := range warnings {
		fmt.Fprintln(os.Stderr, "warning:", w)
	}
	if err != nil {
		return err
	}
	m, err := judgegen.Train(judgegen.Examples(ps), judgegen.TrainOptions{})
	if err != nil {
		return err
	}
	b, err := judgegen.MarshalModel(m)
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, b, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "train: %s: %s; %d features; %s\n", out, m.Trained, len(m.Weights), m.Method)
	return nil
}
