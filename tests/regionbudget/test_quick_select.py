"""The filters' select boxes are written in Python (``QuickSelect``): the same markup as Django's
Select, every value and label escaped, the chosen option selected."""

from django.utils.translation import gettext_lazy

from regionbudget.core.forms import QuickSelect


def test_options_are_escaped_and_the_chosen_one_is_selected():
    widget = QuickSelect(
        attrs={"class": "form-select"},
        choices=[
            ("", gettext_lazy("All areas")),
            (7, "Närsjukvård <b>norr</b> & söder"),
            ('8"', "Folktandvården"),
        ],
    )
    html = widget.render("area", 7, attrs={"id": "id_area"})  # Swedish: the default language
    assert html == (
        '<select name="area" class="form-select" id="id_area">'
        '<option value="">Alla områden</option>'
        '<option value="7" selected>Närsjukvård &lt;b&gt;norr&lt;/b&gt; &amp; söder</option>'
        '<option value="8&quot;">Folktandvården</option>'
        "</select>"
    )
