"""Invoice PDFs (fpdf2), so downloads are real documents a browser can open."""

from __future__ import annotations

import io
import zipfile
from typing import Any


def _latin(text: Any) -> str:
    return str(text).encode("latin-1", "replace").decode("latin-1")


def invoice_pdf(invoice: dict[str, Any], orders: list[dict[str, Any]], user: dict[str, Any]) -> bytes:
    from fpdf import FPDF  # imported on first download: fpdf's font tables take a second to load

    pdf = FPDF()
    pdf.set_title(f"Invoice {invoice['invoice_number']}")
    pdf.set_creator("VPSBG API simulator")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    kind = "Proforma invoice" if invoice["type"] == "proform" else "Invoice"
    pdf.cell(0, 10, _latin(f"{kind} {invoice['invoice_number']}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    for line in (
        f"Date: {invoice['created_at'][:10]}",
        f"Customer: {user.get('company_name') or user.get('name')}",
        f"Address: {user.get('company_address') or user.get('address')}",
        f"VAT number: {user.get('vat_number') or '-'}",
        f"Orders: {', '.join(str(i) for i in invoice['order_ids'])}",
    ):
        pdf.cell(0, 6, _latin(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(140, 7, "Service", border=1)
    pdf.cell(40, 7, "Amount (EUR)", border=1, new_x="LMARGIN", new_y="NEXT", align="R")
    pdf.set_font("Helvetica", size=10)
    for order in orders:
        for service in order.get("services", []):
            pdf.cell(140, 7, _latin(service.get("label", ""))[:80], border=1)
            pdf.cell(
                40, 7, f"{service.get('amount', 0):.2f}", border=1, new_x="LMARGIN", new_y="NEXT", align="R"
            )
    pdf.ln(2)
    pdf.cell(140, 7, "Total without VAT", align="R")
    pdf.cell(40, 7, f"{invoice['amount']:.2f}", new_x="LMARGIN", new_y="NEXT", align="R")
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(140, 7, "Total with VAT", align="R")
    pdf.cell(40, 7, f"{invoice['amount_with_vat']:.2f}", new_x="LMARGIN", new_y="NEXT", align="R")
    return bytes(pdf.output())


def invoices_zip(files: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            archive.writestr(name, data)
    return buffer.getvalue()
