#!/usr/bin/env python
from serviceloop.__main__ import main

if __name__ == "__main__":
    main()
