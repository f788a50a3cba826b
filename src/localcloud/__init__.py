"""A local AWS endpoint for the blue/green flow: moto in server mode, extended where it falls short."""
