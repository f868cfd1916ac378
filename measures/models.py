"""The measure register (the action plan). Its models arrive with the measure register itself."""
