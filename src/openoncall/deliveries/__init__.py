"""Deliveries: every notification attempt on the record, sent through the channels."""
