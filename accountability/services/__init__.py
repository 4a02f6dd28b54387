"""Every write of shared accountability: responsibilities, the learning log and
health checks. Each locks what it changes, checks the access policy, records
history and queues mail on commit."""

from .health import *  # noqa: F403
from .health import __all__ as _health
from .learning import *  # noqa: F403
from .learning import __all__ as _learning
from .responsibilities import *  # noqa: F403
from .responsibilities import __all__ as _responsibilities

__all__ = [*_responsibilities, *_learning, *_health]
