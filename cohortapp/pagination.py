"""Pagination of a list already in memory, with the interface of Flask-SQLAlchemy's pages."""

from dataclasses import dataclass
from math import ceil


@dataclass
class ListPage:
    all_items: list
    page: int
    per_page: int

    def __post_init__(self):
        self.page = min(max(self.page, 1), max(self.pages, 1))

    @property
    def total(self) -> int:
        return len(self.all_items)

    @property
    def pages(self) -> int:
        return ceil(self.total / self.per_page) if self.per_page else 1

    @property
    def items(self) -> list:
        start = (self.page - 1) * self.per_page
        return self.all_items[start : start + self.per_page]

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1
