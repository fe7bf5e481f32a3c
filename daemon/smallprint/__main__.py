import sys

from smallprint.cli import main

sys.exit(main())
