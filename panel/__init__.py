"""The resident panel: members per village, their consent and their privacy rights."""
