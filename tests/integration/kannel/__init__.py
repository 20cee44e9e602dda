"""A real Kannel (bearerbox + smsbox) between smsguard and a scripted test carrier."""
