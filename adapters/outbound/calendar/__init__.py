"""The trading calendar: exchange-calendars plus the sessions it lacks (sessions.toml, the user's calendar.toml)."""
