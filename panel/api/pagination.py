"""Page-number pagination of the panel's own lists (`?page=2&page_size=50`, at most 100)."""

from __future__ import annotations

from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
