"""MSSanté: XDM packages, SMTP submission, DSN/MDN receipts, recipient rules and the local operator."""
