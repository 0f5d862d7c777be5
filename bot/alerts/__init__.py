"""Floor 3: position and market alerts: pure rules, the alert book (gates, digests), the engines."""
