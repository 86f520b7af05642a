"""Sign-in and the idle lock."""
