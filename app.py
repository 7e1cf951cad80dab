"""Start the public chat and the HTTP API: ``python app.py [--content DIR] [--port N]``.

The same as ``askposts serve``; ``make run`` indexes content/ first and then runs this.
"""
import sys

from askposts.cli import main

if __name__ == "__main__":
    sys.exit(main(["serve", *sys.argv[1:]]))
