from mme._cli import main

raise SystemExit(main())
