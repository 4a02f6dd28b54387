from django_tasks import task


@task()
def deliver_invitation(*, delivery_id: int) -> str:
    """Send one invitation e-mail; failures stay on the Delivery row for the
    coordinator and are retried by tick (meetings.services.deliveries)."""
    from .services.deliveries import delivery_send

    return delivery_send(delivery_id=delivery_id)
