"""The Connected Health Award: cycles, nominations, jury scoring and results."""
