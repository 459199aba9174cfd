"""The guest's status on the floor: its one-line reason, the rhythm, the lists that act."""
