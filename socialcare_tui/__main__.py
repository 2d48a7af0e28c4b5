from socialcare_tui.cli import main

raise SystemExit(main())
