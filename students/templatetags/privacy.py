from django import template

from students import privacy

register = template.Library()
register.filter("masked_phone", privacy.masked_phone)
register.filter("masked_text", privacy.masked_text)
