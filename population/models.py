"""Population margins: adult counts per village x age band x sex, imported with a date."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UTCDateTime, utcnow, value_enum
from panel.models import AgeBand, Sex
from villages.models import Village


class MarginImport(Base):
    """One imported table of margins. All imports are kept: the history."""

    __tablename__ = "margin_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The date the counts describe (e.g. 1 January of a year), not the import date.
    reference_date: Mapped[date] = mapped_column(Date(), index=True)
    #: Where the figures come from, e.g. "CBS StatLine" or the file name.
    source: Mapped[str] = mapped_column(String(200), default="", server_default="")
    #: Illustrative figures loaded by the demo seed.
    is_demo: Mapped[bool] = mapped_column(default=False, server_default=false())
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    imported_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )

    cells: Mapped[list[MarginCell]] = relationship(
        back_populates="margin_import", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<MarginImport {self.id} {self.reference_date}>"


class MarginCell(Base):
    __tablename__ = "margin_cells"
    __table_args__ = (
        UniqueConstraint("import_id", "village_id", "age_band", "sex", name="uq_margin_cells_cell"),
        CheckConstraint("count >= 0", name="count_not_negative"),
        CheckConstraint("sex IN ('female', 'male')", name="registered_sex"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("margin_imports.id", ondelete="CASCADE"))
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"))
    age_band: Mapped[AgeBand] = mapped_column(value_enum(AgeBand, "age_band"))
    #: The population register knows only female and male.
    sex: Mapped[Sex] = mapped_column(value_enum(Sex, "sex"))
    count: Mapped[int]

    margin_import: Mapped[MarginImport] = relationship(back_populates="cells")
    village: Mapped[Village] = relationship()

    def __repr__(self) -> str:
        return f"<MarginCell {self.village_id} {self.age_band.value} {self.sex.value} {self.count}>"
