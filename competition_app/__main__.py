from competition_app.cli import main

raise SystemExit(main())
