from django.utils import timezone

from hmskort.cards.models import ActorType, CardState
from hmskort.cards.services.transitions import card_transition
from hmskort.cards.tests.factories import CardFactory
from hmskort.intelligence.charts import Chart
from hmskort.intelligence.statistics import (
    active_cards_by_type,
    coverage_by_size_band,
    orders_per_month,
    time_to_effectuated,
)
from hmskort.registers.tests.factories import EnhetFactory


def test_svg_has_title_desc_and_escapes_text():
    chart = Chart(
        title="Kort <&> typer",
        desc="Beskrivelse",
        categories=["jan", "feb"],
        series=[("BA", [3, 5]), ("RH", [1, 0])],
    )
    svg = str(chart.svg())
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert "<title id=" in svg and "Kort &lt;&amp;&gt; typer" in svg and "<desc id=" in svg
    assert svg.count("<rect") >= 4
    assert chart.table_headers == ["", "BA", "RH"]
    assert chart.table_rows == [["jan", "3", "1"], ["feb", "5", "0"]]


def test_line_chart_and_empty_chart():
    line = Chart(title="t", desc="d", categories=["a", "b"], series=[("x", [1.5, 2])], kind="line")
    assert "<polyline" in str(line.svg()) and line.table_rows[0] == ["a", "1,5"]
    assert Chart(title="t", desc="d", categories=[], series=[]).empty


def test_card_figures_follow_the_state_machine(db):
    today = timezone.localdate()
    card = CardFactory(card_type="RH", created_at=timezone.now())
    card_transition(card=card, to_state=CardState.IN_PRODUCTION, actor_type=ActorType.JOB)
    rejected = CardFactory()
    card_transition(
        card=rejected,
        to_state=CardState.REJECTED,
        reason_codes=["EMPLOYMENT_NOT_REGISTERED"],
        actor_type=ActorType.JOB,
    )
    active = active_cards_by_type(today=today)
    assert active["series"]["RH"][-1] == 1 and active["series"]["RH"][-2] == 0
    orders = orders_per_month(today=today)
    assert orders["orders"][-1] == 2 and orders["rejections"][-1] == 1
    assert orders["reasons"] == [("EMPLOYMENT_NOT_REGISTERED", 1)]
    waited = time_to_effectuated(today=today)
    assert waited["counts"][-1] == 1 and 0 <= waited["days"][-1] < 1


def test_coverage_by_size_band(db):
    with_card = EnhetFactory(antall_ansatte=2)
    EnhetFactory(antall_ansatte=3)
    EnhetFactory(antall_ansatte=0)
    CardFactory(active=True, employer_orgnr=with_card.organisasjonsnummer)
    coverage = coverage_by_size_band()
    ba = dict(zip(coverage["bands"], coverage["industries"]["BA"], strict=True))
    assert ba["1-4"] == (1, 2) and ba["0"] == (0, 1)
