"""The documentation: guides, topic pages and the script that makes their screenshots."""
