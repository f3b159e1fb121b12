"""Receipt QR links and the SIPAS-style questionnaire behind them."""
