"""The wire: the protocol's constants, message checks, errors, routing ids, CURVE keys and the generate fields, shared
by every process."""
