"""The villages of the municipality and the associations that speak for them."""
