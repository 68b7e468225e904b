"""Pure document code, reusable by any domain (no database): PDF building (fpdf2 with embedded,
subset DejaVu fonts) and what an uploaded file really is (filetypes)."""
