"""`python -m bluegreen` runs the same CLI as the `bluegreen` script."""

from bluegreen.cli import run

if __name__ == "__main__":
    run()
