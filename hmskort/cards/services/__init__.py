"""Card services: the only code that writes cards and their status history.

- `transitions`: the state machine (one function per card, one set-based bulk variant).
- `lifecycle`: ordering, effectuation, the re-check of one card, and the user and
  inspector actions (block, ship, return, confiscate, cancel, reject).
"""
