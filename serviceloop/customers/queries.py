"""Which customers a user may look at."""

from django.db.models import QuerySet
from django.http import Http404

from serviceloop.accounts.choices import Role
from serviceloop.accounts.models import User

from .models import Customer


def customers_visible_to(user: User) -> QuerySet[Customer]:
    """Staff see every customer; a customer sees only their own record; partners none."""
    customers = Customer.objects.select_related("organisation", "tier")
    if user.is_staff_member:
        return customers
    if user.role == Role.CUSTOMER:
        return customers.filter(user=user)
    return customers.none()


def get_customer_for(user: User, customer_id: int) -> Customer:
    """The customer, or 404 when it does not exist or is outside the user's scope."""
    try:
        return customers_visible_to(user).prefetch_related("contacts").get(pk=customer_id)
    except Customer.DoesNotExist:
        raise Http404("customer") from None
