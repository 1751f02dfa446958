"""Geography: the district → county/unitary → region → England lookup (2023 boundaries).

Layer: uses only :mod:`forecast.files`; used by :mod:`forecast.population` and above.
"""

from .lookup import AREA_TYPES, ENGLAND, Area, Geography, geography

__all__ = ["Area", "Geography", "geography", "AREA_TYPES", "ENGLAND"]
