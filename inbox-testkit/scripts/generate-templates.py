#!/usr/bin/env python3
"""Writes the resource templates that EventTemplates patches at run time.

Run once by hand when the reference fixtures change; the build never runs it:

    python3 inbox-testkit/scripts/generate-templates.py path/to/fixtures3.json

Input: fixtures3.json from Stripe's OpenAPI repository (MIT licence, see the
LICENSE file next to the templates). Those fixtures are machine-generated: they
carry placeholders ("type": "type", "obj_123"), random integers and the
timestamp 1234567890. FIXES below replaces each of them with a value a real
test-mode object would have, and moves every timestamp onto ANCHOR
(2026-01-01T00:00:00Z), which EventTemplates shifts to the requested "now".
The script refuses to write a template that still contains a placeholder, an
integer that is neither a small amount nor a timestamp near ANCHOR, or livemode.
"""
import json
import os
import sys

ANCHOR = 1767225600  # 2026-01-01T00:00:00Z; keep in sync with Templates.ANCHOR
DAY = 86400
DEL = object()


def T(days=0, seconds=0):
    return ANCHOR + days * DAY + seconds


PLAN = {
    "active": True, "amount": 2000, "amount_decimal": "2000", "billing_scheme": "per_unit",
    "created": T(-60), "currency": "usd", "id": "price_1PgafmB7WZ01zgkW6dKueIc5",
    "interval": "month", "interval_count": 1, "livemode": False, "metadata": {},
    "meter": None, "nickname": None, "object": "plan", "product": "prod_QXg1hqf4jFNsqG",
    "tiers_mode": None, "transform_usage": None, "trial_period_days": None,
    "usage_type": "licensed",
}
CUSTOMER = "cus_QXg1o8vcGmoR32"
PAYMENT_INTENT = "pi_1PgafyB7WZ01zgkWSjxsAJo3"
PAYMENT_METHOD = "pm_1Pgc75B7WZ01zgkWlHVgdEGJ"
CHARGE = "ch_1PgafuB7WZ01zgkWXYmPNZs8"
NO_CUSTOM_TEXT = {"after_submit": None, "shipping_address": None, "submit": None,
                  "terms_of_service_acceptance": None}
ISSUING_CARD_FIXES = {
    "cardholder.created": T(-60), "created": T(-30), "type": "virtual", "shipping": None,
    "lifecycle_controls": None, "latest_fraud_warning": None,
}

# resource name in fixtures3.json -> {dotted path: new value, or DEL to drop the field}
FIXES = {
    "account": {
        "created": T(-400), "email": "jenny.rosen@example.com",
        "business_profile.name": "Rocket Rides", "business_profile.url": "https://rocketrides.io",
    },
    "application": {"id": "ca_QXhWRf8mN2pT7vLs9dKe3bGcA1uZyY0x", "name": "Rocket Rides"},
    "balance": {
        "available.0.amount": 12900, "available.0.source_types.card": 12900,
        "pending.0.amount": 2300, "pending.0.source_types.card": 2300,
    },
    "billing_portal.configuration": {
        "created": T(-30), "updated": T(-30), "livemode": False, "metadata": {},
        "business_profile.headline": None,
    },
    "billing_portal.session": {
        "created": T(0), "flow": None, "livemode": False,
        "url": "https://billing.stripe.com/p/session/test_YWNjdF8xUGdhZlRCN1daMDF6Z2tX",
    },
    "cash_balance": {"available": {"usd": 10000}},
    "charge": {
        "amount": 1099, "amount_captured": 1099, "captured": True, "created": T(0),
        "customer": CUSTOMER, "payment_intent": PAYMENT_INTENT, "payment_method": PAYMENT_METHOD,
        "description": None, "calculated_statement_descriptor": "ROCKET RIDES",
        "outcome": {
            "advice_code": None, "network_advice_code": None, "network_decline_code": None,
            "network_status": "approved_by_network", "reason": None, "risk_level": "normal",
            "risk_score": 32, "seller_message": "Payment complete.", "type": "authorized",
        },
        "payment_method_details.card.amount_authorized": 1099,
        "payment_method_details.card.installments": None,
        "payment_method_details.card.overcapture.maximum_amount_capturable": 1099,
        "payment_method_details.card.wallet": None,
        "payment_method_details.card.authorization_code": "123456",
        "receipt_url": "https://pay.stripe.com/receipts/payment/CAcaFwoVYWNjdF8xUGdhZlRCN1daMDF6Z2tXKI_ei7UGMgZv2S_KfiY6LCJrxC7awazgQA9I88krZKw5uuCkZ5Nup2tomEtAbSpdfzjVZHO3ZYP5KFZP",
        "shipping": None, "transfer_data": None, "source": None,
    },
    "dispute": {
        "amount": 1099, "created": T(0), "evidence_details.due_by": T(10, -1),
        "is_charge_refundable": False, "payment_intent": PAYMENT_INTENT,
        "payment_method_details.card.case_type": "chargeback", "reason": "fraudulent",
        "status": "needs_response", "enhanced_eligibility_types": [],
    },
    "refund": {
        "amount": 1099, "balance_transaction": "txn_1Pgc72B7WZ01zgkWbHnV2sXs", "created": T(0),
        "payment_intent": PAYMENT_INTENT, "reason": "requested_by_customer",
        "destination_details.card": {"reference": None, "reference_status": "pending",
                                     "reference_type": "acquirer_reference_number",
                                     "type": "refund"},
    },
    "checkout.session": {
        "after_expiration": None, "amount_subtotal": 2000, "amount_total": 2000,
        "automatic_tax.liability": None, "collected_information": None,
        "consent_collection": None, "created": T(0), "currency": "usd",
        "currency_conversion": None, "custom_text": NO_CUSTOM_TEXT,
        "customer_creation": "if_required", "customer_details.email": "jenny.rosen@example.com",
        "customer_details.name": "Jenny Rosen", "expires_at": T(1),
        "invoice_creation.enabled": False, "managed_payments": {"enabled": False},
        "payment_method_configuration_details": None, "shipping_address_collection": None,
        "shipping_cost": None, "total_details": {"amount_discount": 0, "amount_shipping": 0,
                                                 "amount_tax": 0},
        "ui_mode": "hosted", "adaptive_pricing": {"enabled": False},
    },
    "coupon": {"created": T(-30), "redeem_by": None, "duration": "repeating"},
    "credit_note": {
        "created": T(0), "effective_at": T(0), "voided_at": None,
        "lines.data.0.tax_rates.0.created": T(-60), "lines.data.0.tax_rates.0.flat_amount": None,
        "lines.data.0.tax_rates.0.rate_type": "percentage",
        "lines.data.0.pretax_credit_amounts": [], "lines.data.1.pretax_credit_amounts": [],
        "shipping_cost": None, "pretax_credit_amounts": [], "refunds": [],
        "post_payment_amount": 0, "pre_payment_amount": 1690, "total_excluding_tax": 1690,
        "pdf": "https://pay.stripe.com/credit_notes/acct_1PgafTB7WZ01zgkW/test_YWNjdF8xUGdhZlRCN1daMDF6Z2tX/pdf?s=ap",
    },
    "customer": {
        "created": T(-30), "discount": None, "email": "jenny.rosen@example.com",
        "name": "Jenny Rosen", "shipping": None,
    },
    "discount": {"start": T(0), "end": T(90), "source.coupon": "Z4OV52SU"},
    "card": {"customer": CUSTOMER},
    "subscription": {
        "automatic_tax.liability": None, "billing_cycle_anchor": T(0),
        "billing_cycle_anchor_config": None, "cancel_at": None, "canceled_at": None,
        "created": T(0), "default_payment_method": PAYMENT_METHOD, "ended_at": None,
        "items.data.0.created": T(0), "items.data.0.price.created": T(-60),
        "items.data.0.price.transform_quantity": None, "items.data.0.plan": PLAN,
        "items.data.0.current_period_start": T(0), "items.data.0.current_period_end": T(31),
        "items.data.0.billing_thresholds": None, "latest_invoice": "in_1Pgc6tB7WZ01zgkWu9fdqL6I",
        "next_pending_invoice_item_invoice": None, "pause_collection": None,
        "payment_settings": {"payment_method_options": None, "payment_method_types": None,
                             "save_default_payment_method": "off"},
        "pending_invoice_item_interval": None, "pending_update": None, "start_date": T(0),
        "transfer_data": None, "trial_end": None, "trial_start": None,
        "cancel_at_period_end": False, "billing_thresholds": None,
        "billing_mode": {"type": "classic"}, "managed_payments": {"enabled": False},
        "billing_schedules": [],
    },
    "identity.verification_session": {
        "created": T(0), "last_error": None, "last_verification_report": None,
        "redaction": None, "status": "requires_input",
        "url": "https://verify.stripe.com/start/test_YWNjdF8xUGdhZlRCN1daMDF6Z2tX",
    },
    "invoice": {
        "account_name": "Rocket Rides", "auto_advance": True, "automatic_tax.liability": None,
        "automatically_finalizes_at": T(0, 3600), "created": T(0),
        "customer_email": "jenny.rosen@example.com", "customer_name": "Jenny Rosen",
        "customer_shipping": None, "due_date": None, "effective_at": None, "from_invoice": None,
        "last_finalization_error": None, "lines.data.0.period": {"end": T(0), "start": T(0)},
        "lines.data.0.parent": {
            "invoice_item_details": {"invoice_item": "ii_1Pgc6sB7WZ01zgkWrG16hkdl",
                                     "proration": False,
                                     "proration_details": {"credited_items": None},
                                     "subscription": None},
            "subscription_item_details": None, "type": "invoice_item_details"},
        "lines.data.0.pricing": {"price_details": {"price": "price_1PgafmB7WZ01zgkW6dKueIc5",
                                                   "product": "prod_QXg1hqf4jFNsqG"},
                                 "type": "price_details", "unit_amount_decimal": "1000"},
        "lines.data.0.subtotal": 1000, "lines.data.0.taxes": [],
        "lines.data.0.pretax_credit_amounts": [], "next_payment_attempt": None,
        "payment_settings.payment_method_options": None, "period_end": T(0),
        "period_start": T(0), "shipping_cost": None, "shipping_details": None,
        "webhooks_delivered_at": None, "total_pretax_credit_amounts": [], "total_taxes": [],
        "amount_overpaid": 0, "parent": None,
    },
    "invoiceitem": {
        "date": T(0), "period": {"end": T(0), "start": T(0)}, "parent": None,
        "pricing": {"price_details": {"price": "price_1PgafmB7WZ01zgkW6dKueIc5",
                                      "product": "prod_QXg1hqf4jFNsqG"},
                    "type": "price_details", "unit_amount_decimal": "1000"},
        "net_amount": 1000, "quantity_decimal": "1",
    },
    "issuing.authorization": dict(
        {"card." + k: v for k, v in ISSUING_CARD_FIXES.items()},
        **{"approved": False, "cardholder": "ich_1Pgag4B7WZ01zgkWdPVfBngi", "created": T(0),
           "fleet": None, "fuel": None}),
    "issuing.card": dict(ISSUING_CARD_FIXES, created=T(0)),
    "issuing.cardholder": {"created": T(0)},
    "issuing.transaction": {"created": T(0), "network_data.processing_date": None,
                            "wallet": None},
    "payment_intent": {
        "canceled_at": None, "created": T(0), "customer": CUSTOMER,
        "last_payment_error": None, "next_action": None,
        "payment_method_configuration_details": {"id": "pmc_1Pgc79B7WZ01zgkWe1iPon1Q",
                                                 "parent": None},
        "processing": None, "shipping": None, "transfer_data": None,
        "managed_payments": {"enabled": False},
    },
    "payment_link": {
        "custom_text": NO_CUSTOM_TEXT, "invoice_creation.enabled": False,
        "payment_intent_data.metadata": {}, "restrictions": None,
        "shipping_address_collection": None, "subscription_data": None, "transfer_data": None,
        "url": "https://buy.stripe.com/test_eVa16Q1Vd7yU1Ne8ww",
        "managed_payments": {"enabled": False}, "payment_method_options": None,
    },
    "payment_method": {
        "billing_details.name": "Jenny Rosen", "card.generated_from": None, "card.wallet": None,
        "created": T(0), "metadata": {},
    },
    "payout": {"arrival_date": T(2), "created": T(0), "status": "pending",
               "trace_id": {"status": "pending", "value": None}},
    "plan": {"created": T(-60), "transform_usage": None},
    "price": {"created": T(-60), "transform_quantity": None},
    "product": {"created": T(-60), "updated": T(-60), "package_dimensions": None,
                "default_price": "price_1PgafmB7WZ01zgkW6dKueIc5"},
    "promotion_code": {"active": True, "created": T(0), "expires_at": None,
                       "promotion.coupon": "Z4OV52SU"},
    "quote": {
        "amount_subtotal": 2000, "amount_total": 2000,
        "computed.recurring": {"amount_subtotal": 2000, "amount_total": 2000,
                               "interval": "month", "interval_count": 1,
                               "total_details": {"amount_discount": 0, "amount_shipping": 0,
                                                 "amount_tax": 0}},
        "computed.upfront.amount_subtotal": 2000, "computed.upfront.amount_total": 2000,
        "created": T(0), "expires_at": T(30), "from_quote": None, "transfer_data": None,
    },
    "reporting.report_run": {
        "created": T(0), "livemode": False,
        "parameters": {"interval_end": T(0), "interval_start": T(-31)},
        "result": {"created": T(0), "expires_at": T(365), "filename": "frr_1Pgc79B7WZ01zgkWMmsefTsj.csv",
                   "id": "file_1Pgc7AB7WZ01zgkWq1eYaC3x", "object": "file",
                   "purpose": "finance_report_run", "size": 3528,
                   "title": "FinanceReportRun frr_1Pgc79B7WZ01zgkWMmsefTsj", "type": "csv",
                   "url": "https://files.stripe.com/v1/files/file_1Pgc7AB7WZ01zgkWq1eYaC3x/contents"},
        "succeeded_at": T(0),
    },
    "setup_intent": {"created": T(0), "customer": CUSTOMER, "last_setup_error": None,
                     "next_action": None, "payment_method_configuration_details": None},
    "subscription_schedule": {
        "canceled_at": None, "completed_at": None, "created": T(0), "current_phase": None,
        "default_settings.automatic_tax.liability": None,
        "default_settings.transfer_data": None, "default_settings.billing_thresholds": None,
        "phases.0.end_date": T(38), "phases.0.start_date": T(7),
        "phases.0.items.0.plan": PLAN, "phases.0.items.0.billing_thresholds": None,
        "phases.0.transfer_data": None, "phases.0.billing_thresholds": None,
        "released_at": None, "billing_mode": {"type": "classic"},
    },
    "tax_rate": {"created": T(-60), "flat_amount": None, "rate_type": "percentage"},
    "tax_id": {"created": T(0)},
    "test_helpers.test_clock": {"created": T(0), "deletes_after": T(30), "frozen_time": T(0)},
    "topup": {"created": T(0), "expected_availability_date": T(5), "source": None},
    "transfer": {"created": T(0)},
}



def set_path(root, path, value):
    parts = path.split(".")
    node = root
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    last = parts[-1]
    if isinstance(node, list):
        node[int(last)] = value
    elif value is DEL:
        del node[last]
    else:
        node[last] = value


def check(name, value, path=""):
    if isinstance(value, dict):
        for k, v in value.items():
            check(name, v, f"{path}.{k}" if path else k)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            check(name, v, f"{path}.{i}")
    elif isinstance(value, bool):
        if path.endswith("livemode") and value:
            sys.exit(f"{name}: {path} is true")
    elif isinstance(value, int):
        near_anchor = abs(value - ANCHOR) < 5 * 365 * DAY
        if abs(value) > 100_000 and not near_anchor:
            sys.exit(f"{name}: {path} = {value} is neither an amount nor a timestamp")
    elif isinstance(value, str):
        # The fixtures' placeholders repeat the field name ("type": "type") or say obj_123.
        key = [p for p in path.split(".") if not p.isdigit()][-1]
        if value in ("obj_123", key):
            sys.exit(f"{name}: {path} = {value!r} is a placeholder")


def id_and_object_first(value):
    """Stripe writes "id" and "object" before the other fields of every object; so do we."""
    if isinstance(value, list):
        return [id_and_object_first(v) for v in value]
    if not isinstance(value, dict):
        return value
    head = [k for k in ("id", "object") if k in value]
    rest = [k for k in value if k not in head]
    return {k: id_and_object_first(value[k]) for k in head + rest}


def main():
    fixtures = json.load(open(sys.argv[1]))["resources"]
    out_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "main",
                           "resources", "dev", "stripeinbox", "testkit", "templates")
    for name, fixes in FIXES.items():
        resource = json.loads(json.dumps(fixtures[name]))
        for path, value in fixes.items():
            set_path(resource, path, json.loads(json.dumps(value)) if value is not DEL else DEL)
        check(name, resource)
        resource = id_and_object_first(resource)
        with open(os.path.join(out_dir, resource["object"] + ".json"), "w") as f:
            json.dump(resource, f, indent=2, ensure_ascii=False)
            f.write("\n")


if __name__ == "__main__":
    main()
