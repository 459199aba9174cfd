"""Who a guest is to the chain, derived from their history: the status, its reason, the rhythm."""
