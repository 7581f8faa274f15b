"""Who may see and change which young person's record."""
