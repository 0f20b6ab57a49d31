"""Villages and associations: separate, because one association may represent several villages."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UTCDateTime, value_enum


class VillageKind(enum.Enum):
    LARGE_VILLAGE = "large_village"  #: over 3,000 inhabitants
    VILLAGE = "village"
    HAMLET = "hamlet"  #: a buurtschap, usually with a neighbourhood association
    NEIGHBOURHOOD = "neighbourhood"  #: a part of a large village with its own platform


class AssociationKind(enum.Enum):
    VILLAGE = "village"  #: dorpsbelangen / plaatselijk belang
    NEIGHBOURHOOD = "neighbourhood"  #: buurtvereniging of a hamlet
    PLATFORM = "platform"  #: platform or residents' association in a large village


association_villages = Table(
    "association_villages",
    Base.metadata,
    Column("association_id", ForeignKey("associations.id", ondelete="CASCADE"), primary_key=True),
    Column("village_id", ForeignKey("villages.id", ondelete="CASCADE"), primary_key=True),
)


class Village(Base):
    __tablename__ = "villages"
    __table_args__ = (
        CheckConstraint("population IS NULL OR population >= 0", name="population_not_negative"),
        CheckConstraint(
            "recruitment_target IS NULL OR recruitment_target > 0", name="target_positive"
        ),
        CheckConstraint(
            "(kind = 'neighbourhood') = (part_of_id IS NOT NULL)", name="neighbourhood_has_parent"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[VillageKind] = mapped_column(value_enum(VillageKind, "village_kind"))
    #: Inhabitants; NULL while unknown. Officials keep this current.
    population: Mapped[int | None]
    #: True while `population` is an illustrative demo figure, not an official count.
    population_is_demo: Mapped[bool] = mapped_column(default=False, server_default=false())
    population_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: For a neighbourhood: the village it is part of.
    part_of_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id"))
    #: Residents may sign up at /join without a letter. Officials switch it off per village.
    open_sign_up: Mapped[bool] = mapped_column(default=True, server_default=true())
    #: Panel members the municipality aims for; NULL means the default (see panel.targets).
    recruitment_target: Mapped[int | None]

    part_of: Mapped[Village | None] = relationship(
        back_populates="neighbourhoods", remote_side="Village.id"
    )
    neighbourhoods: Mapped[list[Village]] = relationship(
        back_populates="part_of", order_by="Village.name"
    )
    associations: Mapped[list[Association]] = relationship(
        secondary=association_villages, back_populates="villages", order_by="Association.name"
    )

    def __repr__(self) -> str:
        return f"<Village {self.name!r} {self.kind.value}>"


class Association(Base):
    __tablename__ = "associations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[AssociationKind] = mapped_column(value_enum(AssociationKind, "association_kind"))

    villages: Mapped[list[Village]] = relationship(
        secondary=association_villages, back_populates="associations", order_by="Village.name"
    )

    def __repr__(self) -> str:
        return f"<Association {self.name!r}>"
