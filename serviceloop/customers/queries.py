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


def reveals_customer(user: User, customer: Customer) -> bool:
    """Whether `user` may learn who a ticket's customer is. A partner names customers when it
    submits tickets; it learns nothing of a customer it (or its organisation) did not create,
    even when what it typed matched one."""
    if user.role != Role.PARTNER:
        return True
    if customer.created_by_id is None:
        return False
    if customer.created_by_id == user.pk:
        return True
    return user.organisation_id is not None and (
        User.objects.filter(
            pk=customer.created_by_id, organisation_id=user.organisation_id
        ).exists()
    )
