from tests.support.live import Live, active_domain, create_mailbox, is_ok, wait_for


def test_domain_and_mailbox_reach_ok(live: Live) -> None:
    with live.client() as api:
        domain = active_domain(api)
        mailbox = create_mailbox(api, domain)
        got = wait_for(api, f"/domains/{domain}/email_accounts/{mailbox}", is_ok)
        assert got["email_address"].startswith("hello@")
