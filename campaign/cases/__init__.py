"""Cases: one person's detention and prosecution, its status rules and day counters."""
