# task: atk/inc
raise SystemExit
