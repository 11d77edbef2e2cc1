"""Forms of the case transfer (overdracht) pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from casustafel.accounts.models import Region
from casustafel.cases import transfer as transfer_services


class TransferProposalForm(forms.Form):
    to_region = forms.ModelChoiceField(label=_("Ontvangende casustafel"), queryset=Region.objects.none())
    reason = forms.CharField(label=_("Reden van de overdracht"), max_length=2000, widget=forms.Textarea(
        attrs={"rows": 3}))

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_region"].queryset = Region.objects.order_by("name")


class _DirectorField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.display_name} ({obj.organisation.name})"


class TransferDecisionForm(forms.Form):
    ACCEPT, DECLINE = "accept", "decline"
    decision = forms.ChoiceField(label=_("Besluit"), widget=forms.RadioSelect, choices=[
        (ACCEPT, _("Aanvaarden")), (DECLINE, _("Afwijzen"))])
    case_director = _DirectorField(label=_("Casusregisseur (bij aanvaarden)"), required=False,
                                           queryset=transfer_services.receiving_case_directors(None).none())
    reason = forms.CharField(label=_("Toelichting (verplicht bij afwijzen)"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, transfer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case_director"].queryset = transfer_services.receiving_case_directors(transfer.to_region_id)
