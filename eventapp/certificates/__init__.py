"""Certificates of participation (giấy chứng nhận) with public verification, and name badges."""
