"""A clock the tests move by hand (for code that takes ``clock=time.monotonic``)."""


class Clock:
    def __init__(self, t: float = 0.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t
