"""党员积分 and 三会一课: points page, meetings page, assessment wizard, rule settings."""
