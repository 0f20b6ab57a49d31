"""The officials' start page: what needs attention across the rooms below."""
