"""Every write that touches several models, records history or sends mail."""

from .partners import *  # noqa: F403
from .partners import __all__ as _partners
from .people import *  # noqa: F403
from .people import __all__ as _people

__all__ = [*_partners, *_people]
