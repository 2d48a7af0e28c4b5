"""One module per subcommand; `cli.py` discovers them (NAME, HELP, EXAMPLE, add_arguments, run)."""
