"""The directory: the organisations behind actions and the venues where they take place."""
