"""The emissions system's events, schedules and subscriptions: none yet (the
performance sheet's parser will subscribe to ``DocumentAccepted`` here and call
``Emissions.import_monitoring``)."""
